package dev.carrot.springai.autoconfigure;

import dev.carrot.route.Router;
import dev.carrot.springai.CarrotChatModel;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * With {@code carrot.router.path} set: loads the router (bean {@code carrotRouter}, closed with the context) and
 * makes {@code carrotChatModel}, a {@link CarrotChatModel} over the ChatModel beans that {@code carrot.models} names.
 * It is {@link Primary}, so that a plain {@code ChatModel} injection and Spring AI's {@code ChatClient.Builder} get
 * the routing model. Each setting is in {@link CarrotProperties}.
 */
@AutoConfiguration
@ConditionalOnClass(ChatModel.class)
@ConditionalOnProperty(prefix = "carrot.router", name = "path")
@EnableConfigurationProperties(CarrotProperties.class)
public class CarrotAutoConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(Router.class)
    public Router carrotRouter(CarrotProperties properties) {
        try {
            return Router.load(properties.router().path());
        } catch (IOException e) {
            throw new UncheckedIOException("carrot.router.path: cannot load " + properties.router().path() + ": "
                    + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("carrot.router.path: " + properties.router().path() + ": "
                    + e.getMessage(), e);
        }
    }

    @Bean
    @Primary
    @ConditionalOnMissingBean(CarrotChatModel.class)
    public CarrotChatModel carrotChatModel(Router carrotRouter, CarrotProperties properties,
                                           ListableBeanFactory beans) {
        CarrotChatModel.Builder b = CarrotChatModel.builder().router(carrotRouter);
        for (Map.Entry<String, String> e : new TreeMap<>(properties.models()).entrySet()) {
            if (!carrotRouter.models().contains(e.getKey())) {
                throw new IllegalArgumentException("carrot.models[" + e.getKey() + "]: not one of the router's models "
                        + carrotRouter.models());
            }
            ChatModel m;
            try {
                m = beans.getBean(e.getValue(), ChatModel.class);
            } catch (NoSuchBeanDefinitionException ex) {
                throw new IllegalArgumentException("carrot.models[" + e.getKey() + "]: no ChatModel bean named '"
                        + e.getValue() + "'; the ChatModel beans are " + Arrays.stream(beans.getBeanNamesForType(
                        ChatModel.class)).filter(n -> !n.equals("carrotChatModel")).toList(), ex);
            }
            b.model(e.getKey(), m);
        }
        if (properties.mu() != null) {
            b.mu(properties.mu());
        }
        if (properties.budgetUsd() != null) {
            b.budgetUsd(properties.budgetUsd());
        }
        if (properties.maxCostUsd() != null) {
            b.maxCostUsd(properties.maxCostUsd());
        }
        if (properties.maxFallbacks() != null) {
            b.maxFallbacks(properties.maxFallbacks());
        }
        return b.build();
    }
}
